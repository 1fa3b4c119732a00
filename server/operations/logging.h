#pragma once

#include <QLoggingCategory>

// One category per area; switch them with QT_LOGGING_RULES, e.g.
// QT_LOGGING_RULES="confab.server.*.debug=true".
Q_DECLARE_LOGGING_CATEGORY(lcNet)
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
Q_DECLARE_LOGGING_CATEGORY(lcChat)
Q_DECLARE_LOGGING_CATEGORY(lcStore)
Q_DECLARE_LOGGING_CATEGORY(lcFault)
Q_DECLARE_LOGGING_CATEGORY(lcCluster)
