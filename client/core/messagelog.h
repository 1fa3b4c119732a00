#pragma once

#include "messages.h"

#include <QAbstractListModel>
#include <QList>

// One line of a conversation as the user sees it.
struct LogEntry
{
    // Event: something that happened in the room, not said by anyone; the
    // UI words it (see `event`) and shows runs of them dimmed, collapsed.
    enum class Kind { Message, Notice, Error, Event };
    // What an Event entry says; `from` and `text` are its details.
    enum class Event {
        None,
        Joined,        // from: who
        Left,          // from: who; text: the reason, if any
        NickChanged,   // from: the old nick; text: the new one; own: the user's
        TopicChanged,  // from: who; text: the topic ("" cleared it)
        Topic,         // text: the topic, when the room opens
        Disconnected,  // text: why
        Reconnected,
        AwayChanged,   // from: who; text: why ("" back), in a private conversation
        // Said once, kept in sight
        Waiting,       // from: the offline account a private message waits for
        // Moderation (protocol section 13): shown as notices, never folded.
        RoomClaimed,   // from: the new owner; own: the user
        RoleChanged,   // from: who; target: whose; text: "owner", "op" or "member"; own: the user's
        Kicked,        // from: who; target: whom; text: the reason
        Muted,         // from: who; target: whom; when: until (0: until unmuted)
        Unmuted,       // from: who; target: whom; own: the user
        ModesChanged,  // from: who; text: what changed, as "+i -k +t" (i invite only, k key, t topic lock)
    };
    // Joins, leaves, nick and topic changes, reconnects: the events that
    // fold into a run; moderation stays in sight.
    bool isAmbient() const { return kind == Kind::Event && event < Event::Waiting; }

    Kind kind = Kind::Message;
    Event event = Event::None;
    QString from; // messages, events
    QString target; // events done to someone
    QString text;
    qint64 when = 0; // events naming a time
    qint64 ts = 0;  // ms since the epoch
    qint64 seq = 0; // room messages only; 0 otherwise
    bool own = false;
    bool mention = false; // mentions the user's nick
    bool action = false;  // /me: shown as "* alice waves"
    bool edited = false;  // shown with "(edited)"
    bool deleted = false; // shown as "message deleted"; text is empty
    QList<Confab::Protocol::Reaction> reactions;
};

// The lines of one conversation, oldest first.
class MessageLog final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageLog)

public:
    // The view reads entry() directly; the model tells it when rows come,
    // go or change. DisplayRole gives a plain line ("<alice> hi").
    explicit MessageLog(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    const LogEntry &entry(int row) const { return m_entries.at(row); }
    const QList<LogEntry> &entries() const { return m_entries; }
    void append(const LogEntry &entry);
    // Older entries, oldest first, before everything there is.
    void prepend(const QList<LogEntry> &entries);

    // Replaces the message with this seq as it is shown (an edit, a
    // deletion, reactions); false if the log does not have it.
    bool update(const LogEntry &entry);
    // The row of the message with this seq, or -1.
    int rowOfSeq(qint64 seq) const;

    // The lowest seq in the log (0 if none): where scroll-back continues.
    qint64 firstSeq() const;

private:
    QList<LogEntry> m_entries;
};
