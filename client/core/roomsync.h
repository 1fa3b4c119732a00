#pragma once

#include "messages.h"

#include <QList>

#include <optional>

// How one room keeps what it shows whole across reconnects (docs/client.md,
// "Not missing anything"): the last seq shown, the last change heard of, and
// the live messages held back while a gap is filled. It only decides; the
// session sends the requests it asks for and shows the messages it hands
// out. resources/web/sync.js is the same class for the browser client, and
// the two are tested with the same cases.
class RoomSync
{
public:
    struct Steps
    {
        QList<Confab::Protocol::ChatMessage> show;    // new here: append, in order
        QList<Confab::Protocol::ChatMessage> refresh; // shown already: show as they are now
        std::optional<qint64> historyAfter;           // ask `history` after this seq
        std::optional<qint64> changesAfter;           // ask `history` changed_after this revision
    };

    qint64 lastSeq() const { return m_lastSeq; }
    qint64 lastRev() const { return m_lastRev; }
    bool isCatchingUp() const { return m_catchingUp; }

    // `joined`: the first time, its history is what there is to show; after
    // a reconnect, what was missed in between is filled, once.
    Steps joined(const QList<Confab::Protocol::ChatMessage> &history, std::optional<qint64> rev);
    // A `message` event: shown now, or held back until the gap is filled.
    Steps live(const Confab::Protocol::ChatMessage &message);
    // A page of `history after`; pageSize: the limit it was asked with.
    Steps caughtUp(const QList<Confab::Protocol::ChatMessage> &page, int pageSize);
    // A page of `history changed_after`.
    Steps changes(const QList<Confab::Protocol::ChatMessage> &page, int pageSize);
    // An `updated` event: heard in revision order.
    void changeHeard(qint64 rev);
    // The connection dropped: what was held back comes again with the catch-up.
    void disconnected();
    // Whether a message with this seq is new here (0: unnumbered, always
    // new); if so, it counts as shown.
    bool take(qint64 seq);

private:
    QList<Confab::Protocol::ChatMessage> fresh(const QList<Confab::Protocol::ChatMessage> &messages);

    qint64 m_lastSeq = 0;
    qint64 m_lastRev = 0;
    bool m_catchingUp = false;
    QList<Confab::Protocol::ChatMessage> m_heldBack;
};
