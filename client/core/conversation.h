#pragma once

#include "messagelog.h"
#include "messages.h"

#include <QObject>
#include <QStringListModel>

// A room the user is in (or was, before a reconnect), or a private
// conversation with one other user.
class Conversation final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Conversation)

public:
    enum class Type { Room, Private };

    Conversation(Type type, const QString &name, QObject *parent = nullptr);

    Type type() const { return m_type; }
    // The room's name, or the other user's nick.
    QString name() const { return m_name; }
    void setName(const QString &name) { m_name = name; }
    QString topic() const { return m_topic; }
    void setTopic(const QString &topic) { m_topic = topic; }

    MessageLog *log() { return &m_log; }
    QStringListModel *members() { return &m_members; }
    void setMembers(QStringList nicks);
    void addMember(const QString &nick);
    void removeMember(const QString &nick);
    void renameMember(const QString &oldNick, const QString &newNick);
    bool hasMember(const QString &nick) const;

    int unread() const { return m_unread; }
    void setUnread(int count) { m_unread = count; }
    bool hasMention() const { return m_mention; }
    void setMention(bool mention) { m_mention = mention; }

    // Room bookkeeping for catching up after a reconnect.
    bool isJoined() const { return m_joined; }
    void setJoined(bool joined) { m_joined = joined; }
    qint64 lastSeq() const { return m_lastSeq; }
    void setLastSeq(qint64 seq) { m_lastSeq = seq; }
    bool isCatchingUp() const { return m_catchingUp; }
    void setCatchingUp(bool catchingUp) { m_catchingUp = catchingUp; }
    QList<Confab::Protocol::ChatMessage> &heldBack() { return m_heldBack; }
    bool hasOlderHistory() const { return m_hasOlder; }
    void setHasOlderHistory(bool older) { m_hasOlder = older; }
    bool isLoadingOlder() const { return m_loadingOlder; }
    void setLoadingOlder(bool loading) { m_loadingOlder = loading; }

private:
    Type m_type;
    QString m_name;
    QString m_topic;
    MessageLog m_log;
    QStringListModel m_members;
    int m_unread = 0;
    bool m_mention = false;
    bool m_joined = false;
    qint64 m_lastSeq = 0;
    bool m_catchingUp = false;
    QList<Confab::Protocol::ChatMessage> m_heldBack;
    bool m_hasOlder = true;
    bool m_loadingOlder = false;
};
