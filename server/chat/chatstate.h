#pragma once

#include "logbudget.h"
#include "mask.h"
#include "moderationstore.h"
#include "permissions.h"
#include "requestrules.h"
#include "messages.h"
#include "names.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <array>
#include <memory>
#include <optional>

class Connection;
struct Room;

// One connection as the chat service sees it.
struct Session
{
    Connection *connection = nullptr;
    quint64 serial = 0; // tells a session from a later one at the same address in memory
    QString nick;    // empty until welcome
    QString nickKey; // nameKey(nick)
    // Since when (wall clock) the session has had this nick: a guest's
    // messages from then on are its own to edit (section 18).
    qint64 nickSinceMs = 0;
    // The account the session is logged in to, as registered; empty if none.
    QString account;
    QString accountKey;
    // A password is being hashed for this session: its requests wait, in
    // order, until the answer is sent.
    bool busy = false;
    // Its share of the event loop this turn (ChatService::yieldTurn()):
    // time spent on its requests and bytes of answers; over it, `yielded`
    // until its next turn, and what it sends waits (waitingFrames()).
    bool yielded = false;
    quint64 turn = 0; // the turn (ChatService::m_turn) these count in
    qint64 turnNs = 0;
    qint64 turnAnswerBytes = 0;
    QList<Room *> rooms;
    // One token bucket per kind of request (requestrules.h), charged when
    // a request is accepted.
    RequestRules::RequestBuckets buckets;
    // When a typing notice of this user's was last passed on, by
    // conversation ("#roomkey" or a nick key); removed by "done".
    QHash<QString, qint64> typingPassedOn;
    // How far the user has read each conversation (section 20): "#ROOMKEY"
    // or "@IDENTITY". An account's come from the store at login.
    QHash<QString, qint64> readMarkers;
    qint64 connectedAtMs = 0;
    qint64 lastHeardMs = 0;
    qint64 pingSentAtMs = 0; // 0: no ping outstanding

    // What few sessions need at any one time, made when first needed and
    // given back when done with (trimRare()): an idle connection should
    // cost as little as it can (docs/performance.md).
    struct Rare
    {
        // Requests that wait while the session is busy or yielded.
        QList<QByteArray> waitingFrames;
        // Lines logged about this session (refused requests and the like).
        LogBudget log;
        // Away, and why (section 17); nullopt: here.
        std::optional<QString> away;
        // Set by quit, or when the server ends the session (hangUp()): the
        // user has left every room and freed the nick; the connection is
        // only closing.
        std::optional<QString> quitReason;
    };
    Rare &rare()
    {
        if (!m_rare)
            m_rare = std::make_unique<Rare>();
        return *m_rare;
    }
    const std::optional<QString> &away() const { return m_rare ? m_rare->away : noText(); }
    const std::optional<QString> &quitReason() const { return m_rare ? m_rare->quitReason : noText(); }
    bool hasWaitingFrames() const { return m_rare && !m_rare->waitingFrames.isEmpty(); }
    qint64 unloggedLines() const { return m_rare ? m_rare->log.suppressed() : 0; }
    // Gives the rare part back if nothing in it is in use.
    void trimRare()
    {
        if (m_rare && m_rare->waitingFrames.isEmpty() && !m_rare->log.isUsed() && !m_rare->away
            && !m_rare->quitReason)
            m_rare.reset();
    }

    // The nick and its key together. Most nicks are their own key: then
    // the two share one string.
    void setNick(const QString &newNick)
    {
        nick = newNick;
        const QString key = Confab::Protocol::nameKey(newNick);
        nickKey = key == nick ? nick : key;
    }

    bool isIdentified() const { return !nick.isEmpty(); }
    bool isLoggedIn() const { return !account.isEmpty(); }
    std::optional<qint64> readMarker(const QString &conversation) const
    {
        const auto found = readMarkers.constFind(conversation);
        return found == readMarkers.constEnd() ? std::nullopt : std::optional<qint64>(*found);
    }

private:
    static const std::optional<QString> &noText()
    {
        static const std::optional<QString> none;
        return none;
    }
    std::unique_ptr<Rare> m_rare;
};

struct Room
{
    QString name; // as first created
    QString key;  // nameKey(name)
    QString topic;
    qint64 lastSeq = 0;
    qint64 lastRev = 0; // the latest change to one of its messages (section 18)
    // In join order. Copied by value for deferred deliveries, which is cheap
    // (implicit sharing) until the membership next changes.
    QList<Session *> members;
    // The latest messages, for `joined`, so joining never reads the database.
    QList<Confab::Protocol::ChatMessage> recent;
    // Ops and the owner, by account key (section 13); loaded with the room.
    QHash<QString, Rank> roles;
    struct Ban
    {
        Mask mask;
        ModerationStore::BanRecord record;
    };
    // Expired ones are dropped when next looked at.
    QList<Ban> bans;
    QList<ModerationStore::MuteRecord> mutes;
    ModerationStore::Modes modes;
};
