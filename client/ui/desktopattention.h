#pragma once

#include <QIcon>
#include <QObject>

class Conversation;
class QSystemTrayIcon;
class QWidget;

// How the window asks for its user's attention while it is not looked at:
// the tray icon with the unread count in a badge, and a desktop notification
// (and the taskbar's alert) for a mention or a private message, unless the
// user turned notifications off. A click on the notification brings the
// window back.
class DesktopAttention : public QObject
{
    Q_OBJECT

public:
    explicit DesktopAttention(QWidget *window);

    void setUnread(int unread);
    void notify(Conversation *conversation, const QString &from, const QString &text);

    // `icon` with `count` in a red disc in its corner (as docks show it).
    static QIcon badgedIcon(const QIcon &icon, int count);

private:
    QWidget *m_window;
    QSystemTrayIcon *m_tray = nullptr; // none where the desktop has no tray
};
