#pragma once

#include "chatcore.h"

#include <QHash>
#include <QString>

// Private conversations (protocol section 19): whisper, private_history,
// and the messages that wait for an offline account until it logs in.
// A conversation is stored under its pair of identities (pairOf()); its
// last seq is kept here once a message has been said in it.
class PrivateChat
{
public:
    explicit PrivateChat(ChatCore &core) : m_core(core) {}

    void onWhisper(Session &session, const Confab::Protocol::Whisper &whisper, const QJsonValue &id);
    void onPrivateHistory(Session &session, const Confab::Protocol::GetPrivateHistory &request,
                          const QJsonValue &id);
    // At login: the account's read markers, and what waited for it while
    // it was offline.
    void deliverWaiting(Session &session);

    // Who a session is for storing conversations: "a:ACCOUNTKEY" or
    // "n:NICKKEY".
    static QString identity(const Session &session);
    // The same for the user a request names (`nick`, found as `target`).
    QString identityOf(const ChatCore::Target &target, const QString &nick) const;
    // A conversation's key: its two identities, in order.
    static QString pairOf(const QString &one, const QString &other);
    // The last seq of a conversation, for reading only: nothing is kept
    // for one that has no message (without a commit thread).
    qint64 knownSeq(const QString &pair);
    // A failed commit takes a conversation's seq back.
    void restoreSeq(const QString &pair, qint64 lastSeq) { m_seqs.insert(pair, lastSeq); }

private:
    // `target` here, or `remote` on another server, or neither (offline).
    void sendWhisper(Session &session, const Confab::Protocol::Whisper &whisper, const QJsonValue &id,
                     Session *target, const std::optional<ChatCore::RemoteMember> &remote);
    void history(Session &session, const Confab::Protocol::GetPrivateHistory &request, const QString &peer,
                 const QJsonValue &id);
    // The last seq given out in a conversation, read from the store the
    // first time it is needed.
    qint64 &seq(const QString &pair);

    ChatCore &m_core;
    QHash<QString, qint64> m_seqs; // of each conversation used since start
};
