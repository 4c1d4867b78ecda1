import { describeSampleApp } from './support/sample-app-suite.js';
import { SAMPLE_APPS } from './support/sample-apps.js';

// Its README image is the product's settings page, taken by express-passport-product.spec.ts. The emulator's own
// pages (a wrong SMS code) are checked here, once for every app.
describeSampleApp(SAMPLE_APPS.express, { readmeImage: false, emulatorPages: true });
