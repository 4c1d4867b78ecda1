#!/usr/bin/env node
// The CLI lives in dist/; this shim exists before the build, so installing the workspace links the bin cleanly.
import '../dist/cli.js';
