import { describeSampleApp } from './support/sample-app-suite.js';
import { SAMPLE_APPS } from './support/sample-apps.js';

describeSampleApp(SAMPLE_APPS.express);
