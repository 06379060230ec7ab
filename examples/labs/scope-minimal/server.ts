/**
 * Lab scope-minimal: a web client that fails `scope.minimal`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-scope-minimal');
