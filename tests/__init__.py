"""The test suite, a package so that its shared helpers have one import path: `tests.support.*`."""
