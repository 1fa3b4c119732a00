#pragma once

#include "roommembers.h"
#include "messagelog.h"
#include "messages.h"
#include "roomsync.h"

#include <QObject>
#include <QTimer>

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
    void setName(const QString &name) { update(m_name, name); }
    QString topic() const { return m_topic; }
    void setTopic(const QString &topic) { update(m_topic, topic); }
    // A private conversation: why the other person is away ("" if here).
    QString peerAway() const { return m_peerAway; }
    void setPeerAway(const QString &why) { update(m_peerAway, why); }

    MessageLog *log() { return &m_log; }
    const MessageLog *log() const { return &m_log; }
    RoomMembers *members() { return &m_members; }
    const RoomMembers *members() const { return &m_members; }
    void setMembers(const QStringList &nicks, const Confab::Protocol::StringMap &roles = {});
    void addMember(const QString &nick);
    void removeMember(const QString &nick);
    void renameMember(const QString &oldNick, const QString &newNick);
    bool hasMember(const QString &nick) const;

    // Room modes, as the server last said (joined, mode_changed).
    Confab::Protocol::RoomModes modes() const { return m_modes; }
    void setModes(const Confab::Protocol::RoomModes &modes) { m_modes = modes; }

    // Who is typing here now, in the order they started. A notice lasts a
    // few seconds unless renewed; "done", or their message, ends it.
    QStringList typing() const;
    void setTyping(const QString &nick, bool typing);
    static constexpr int TypingLastsMs = 6000;

signals:
    // What the conversation list and the header show changed: the name,
    // topic, unread count, mention mark, the peer's away message, joined.
    void changed();
    void newMessagesRowChanged(int row);
    void typingChanged();

public:
    // The key this client joined with, for rejoining after a reconnect.
    QString key() const { return m_key; }
    void setKey(const QString &key) { m_key = key; }
    // Whether to join again after a reconnect: not after leaving or being
    // kicked.
    bool wantsRejoin() const { return m_wantsRejoin; }
    void setWantsRejoin(bool rejoin) { m_wantsRejoin = rejoin; }

    int unread() const { return m_unread; }
    void setUnread(int count) { update(m_unread, count); }
    bool hasMention() const { return m_mention; }
    void setMention(bool mention) { update(m_mention, mention); }

    // The "new messages" line: the log row where the messages the user had
    // not seen began when they last came back to this conversation (-1:
    // no line). Rows not seen yet are noted as they arrive; seen() moves the
    // line to the first of them.
    int newMessagesRow() const { return m_newMessagesRow; }
    void noteUnseen(int row)
    {
        if (m_firstUnseenRow < 0)
            m_firstUnseenRow = row;
    }
    void seen();
    // Older history came in above: rows move down by `count`.
    void rowsPrepended(int count);

    // Room bookkeeping for catching up after a reconnect.
    bool isJoined() const { return m_joined; }
    void setJoined(bool joined) { update(m_joined, joined); }
    // What has been shown, and how to fill what was missed (rooms, and the
    // seq of private conversations).
    RoomSync &sync() { return m_sync; }
    qint64 lastSeq() const { return m_sync.lastSeq(); }
    qint64 lastRev() const { return m_sync.lastRev(); }
    // How far the user has read, as the server keeps it (section 20): no
    // message up to it counts as unread.
    qint64 readSeq() const { return m_readSeq; }
    void setReadSeq(qint64 seq) { m_readSeq = qMax(m_readSeq, seq); }
    bool hasOlderHistory() const { return m_hasOlder; }
    void setHasOlderHistory(bool older) { m_hasOlder = older; }
    bool isLoadingOlder() const { return m_loadingOlder; }
    void setLoadingOlder(bool loading) { m_loadingOlder = loading; }

private:
    template <typename T>
    void update(T &field, const T &value)
    {
        if (field == value)
            return;
        field = value;
        emit changed();
    }

    Type m_type;
    QString m_name;
    QString m_topic;
    QString m_peerAway;
    MessageLog m_log;
    RoomMembers m_members;
    Confab::Protocol::RoomModes m_modes;
    QString m_key;
    bool m_wantsRejoin = false;
    int m_unread = 0;
    bool m_mention = false;
    int m_firstUnseenRow = -1;
    QList<QPair<QString, qint64>> m_typing; // nick, until (ms since the epoch)
    QTimer m_typingExpiry;
    void expireTyping();
    int m_newMessagesRow = -1;
    bool m_joined = false;
    RoomSync m_sync;
    qint64 m_readSeq = 0;
    bool m_hasOlder = true;
    bool m_loadingOlder = false;
};
