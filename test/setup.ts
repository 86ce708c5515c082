// The SDK's one-time notice about Node 20 support is noise in test output (engines says it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
