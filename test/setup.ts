// The SDK's one-time notice about Node 20 support is noise in test output (engines says it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// The record of deployed templates (src/deploy/records.ts) is off in tests, which must not share
// the developer's: a test that exercises it gives its run a folder of its own.
process.env.PROVISION_RECORDS ??= '0';
