#pragma once

#include <QDialog>

#include <optional>

class QComboBox;
class QLineEdit;

// Asks an op for the reason (and, for bans and mutes, how long) before
// removing, banning or muting someone.
class ModerationDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModerationDialog)

public:
    enum class Action { Kick, Ban, Mute };

    ModerationDialog(Action action, const QString &nick, const QString &room, QWidget *parent = nullptr);

    Action action() const { return m_action; }
    QString nick() const { return m_nick; }
    QString reason() const;
    // Seconds; none: until lifted.
    std::optional<qint64> duration() const;
    void setReason(const QString &reason);
    // Picks the choice closest to `seconds` (none: until lifted).
    void setDuration(std::optional<qint64> seconds);

private:
    Action m_action;
    QString m_nick;
    QLineEdit *m_reason;
    QComboBox *m_duration = nullptr;
};
