import { describeWebExample } from '../shared/web-example-suite.js';

describeWebExample('openid-client-web');
