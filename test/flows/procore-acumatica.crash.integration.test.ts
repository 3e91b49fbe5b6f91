import { CRASH_SPECS } from '../support/flow-crash-specs';
import { describeCrashSafety } from '../support/crash-suite';

describeCrashSafety(CRASH_SPECS['procore-acumatica']);
