#include "logging.h"

// Debug output is off unless asked for: at the default level the log has one
// line per connection event and per error, and never what users wrote.
Q_LOGGING_CATEGORY(lcNet, "confab.server.net", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHttp, "confab.server.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcChat, "confab.server.chat", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStore, "confab.server.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCluster, "confab.server.cluster", QtInfoMsg)
Q_LOGGING_CATEGORY(lcFault, "confab.server.fault", QtInfoMsg)
