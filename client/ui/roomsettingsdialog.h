#pragma once

#include "messages.h"

#include <QDialog>
#include <QPointer>

class ChatSession;
class Conversation;
class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

// A room's settings for its ops: who may join (invitation only, a key),
// who may set the topic, and the bans. Changes go to the server, and the
// dialog shows what the server then says, not what was asked.
class RoomSettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoomSettingsDialog)

public:
    RoomSettingsDialog(ChatSession *session, Conversation *room, QWidget *parent = nullptr);

    Conversation *room() const { return m_room; }
    QCheckBox *inviteOnly() const { return m_inviteOnly; }
    QCheckBox *topicLocked() const { return m_topicLocked; }
    QCheckBox *needsKey() const { return m_needsKey; }
    QLineEdit *key() const { return m_key; }
    QTreeWidget *bans() const { return m_bans; }
    QLineEdit *newBan() const { return m_newBan; }

    // Sends the modes that differ from the room's.
    void apply();
    void addBan();
    void liftSelectedBan();

private:
    void showModes();
    void showBans(const QString &room, const QList<Confab::Protocol::BanEntry> &bans);

    ChatSession *m_session;
    QPointer<Conversation> m_room;
    QCheckBox *m_inviteOnly;
    QCheckBox *m_topicLocked;
    QCheckBox *m_needsKey;
    QLineEdit *m_key;
    QLabel *m_problem;
    QTreeWidget *m_bans;
    QLineEdit *m_newBan;
    QPushButton *m_lift;
};
