import { describeWebExample } from '../shared/web-example-suite.js';

describeWebExample('reference-web');
