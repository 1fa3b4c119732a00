#pragma once

#include <QObject>
#include <QPointer>
#include <QLabel>

class QStatusBar;
class QWidget;
class ServerThread;

// The server this program hosts, as the main window shows it: a label in
// the status bar (how many are connected, where others join), and the
// question before closing the window stops it for the others.
class HostingStatus : public QObject
{
    Q_OBJECT

public:
    HostingStatus(ServerThread *server, QStatusBar *statusBar, QWidget *window);
    // The label goes with it (a window that hosts another server instead).
    ~HostingStatus() override { delete m_label; }

    QLabel *label() const { return m_label; }
    // Before the window closes: false when the user keeps it running (others
    // are connected and they chose to); otherwise the server is stopped,
    // everyone told it is closing, and true.
    bool stopBeforeClosing();

private:
    void update();

    ServerThread *m_server;
    QWidget *m_window;
    QPointer<QLabel> m_label; // the status bar's: it may go first
};
