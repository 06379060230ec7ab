/**
 * The lab base with no step replaced: the reference client as every lab starts from it. base.test.ts
 * audits it, so a change to the base that makes it differ from a correct client shows up there and not
 * as a lab failing for the wrong reason.
 */
import { runLab } from '../lab.js';

runLab('lab-base-unchanged');
