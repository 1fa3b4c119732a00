#pragma once

// What the chat core and the feature modules share: small helpers, nothing
// with state (no feature sees ChatService through it).

#include "chatstate.h"
#include "codec.h"
#include "defaults.h"
#include "messagestore.h"

#include <QDateTime>
#include <QJsonValue>

namespace ChatInternal {

using namespace Confab::Protocol;
// The latest messages of a room, as `joined` sends them.
inline MessageStore::HistoryQuery recentQuery()
{
    return {std::nullopt, std::nullopt, Defaults::HistoryOnJoin, std::nullopt};
}

inline bool hasId(const QJsonValue &id)
{
    return !id.isNull() && !id.isUndefined();
}

inline qint64 wallClockMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// Bans and mutes with an end: over at `untilMs`, checked when used.
template <typename Record>
inline bool isOver(const Record &record, qint64 now)
{
    return record.untilMs && *record.untilMs <= now;
}

inline void dropExpired(QList<Room::Ban> &bans)
{
    const qint64 now = wallClockMs();
    bans.removeIf([now](const Room::Ban &ban) { return isOver(ban.record, now); });
}

inline std::optional<qint64> untilAfter(const std::optional<qint64> &durationSeconds)
{
    return durationSeconds ? std::optional<qint64>(wallClockMs() + *durationSeconds * 1000) : std::nullopt;
}

inline QList<BanEntry> banEntries(const QList<Room::Ban> &bans)
{
    QList<BanEntry> entries;
    for (const Room::Ban &ban : bans)
        entries.append(BanEntry{ban.record.mask, ban.record.actor, ban.record.reason, ban.record.untilMs});
    return entries;
}

// Cuts a page of messages to Defaults::HistoryPageBytes as encoded,
// keeping at least one: the newest ones when scrolling back, else the
// oldest. Whether it cut any (the page then says `more`).
template <typename Message>
inline bool fitPage(QList<Message> &messages, bool keepNewest)
{
    const qsizetype count = messages.size();
    qsizetype bytes = 0;
    qsizetype kept = 0;
    for (; kept < count; ++kept) {
        bytes += encode(messages.at(keepNewest ? count - 1 - kept : kept)).size() + 1; // as a line
        if (bytes > Defaults::HistoryPageBytes && kept > 0)
            break;
    }
    if (kept == count)
        return false;
    if (keepNewest)
        messages.remove(0, count - kept);
    else
        messages.resize(kept);
    return true;
}

// The bytes of a string as JSON, quotes included (escapes counted; at most
// what the encoder writes).
inline qsizetype jsonStringBytes(const QString &text)
{
    qsizetype bytes = 2;
    for (const QChar c : text) {
        const char16_t unit = c.unicode();
        if (unit < 0x20)
            bytes += 6;
        else if (unit == u'"' || unit == u'\\')
            bytes += 2;
        else if (unit < 0x80)
            bytes += 1;
        else if (unit < 0x800 || c.isSurrogate())
            bytes += 2; // a surrogate pair: 4 together
        else
            bytes += 3;
    }
    return bytes;
}

inline std::optional<bool> moreIf(bool cut)
{
    return cut ? std::optional<bool>(true) : std::nullopt;
}

inline bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    unsigned char difference = a.size() == b.size() ? 0 : 1;
    const qsizetype n = qMin(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

} // namespace ChatInternal
