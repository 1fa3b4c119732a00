#pragma once

// What the desktop session's files share (chatsession.cpp and session/*.cpp).

#include "defaults.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcClient)

namespace SessionInternal {

// Pages asked for when catching up after a reconnect.
constexpr int CatchUpPage = Confab::Protocol::Defaults::HistoryMaxPage;
constexpr int ScrollBackPage = Confab::Protocol::Defaults::HistoryPage;

inline qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace SessionInternal
