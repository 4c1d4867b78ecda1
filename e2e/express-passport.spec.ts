import { describeSampleApp } from './support/sample-app-suite.js';
import { SAMPLE_APPS } from './support/sample-apps.js';

// Its README image is the product's settings page, taken by express-passport-product.spec.ts.
describeSampleApp(SAMPLE_APPS.express, { readmeImage: false });
