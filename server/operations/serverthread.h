#pragma once

#include "serverconfig.h"

#include <QObject>
#include <QThread>

#include <atomic>

class ChatServer;

// A whole Confab server (chat service, store, listeners, discovery) on a
// thread of its own, for a program that has its own event loop to keep
// smooth: the desktop client's "Host on this computer". The same classes as
// confab-server, not a copy and not a child process.
class ServerThread final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerThread)

public:
    explicit ServerThread(QObject *parent = nullptr);
    // Stops the server (telling its clients) and waits for the thread.
    ~ServerThread() override;

    // Starts the server with `config`; started() or failed() follows.
    void start(const ServerConfig &config);
    // Tells every client, stores what is pending, ends; stopped() follows.
    void stop();
    bool isRunning() const { return m_thread.isRunning(); }

    quint16 tcpPort() const { return m_tcpPort; }
    quint16 httpPort() const { return m_httpPort; }
    quint16 discoveryPort() const { return m_discoveryPort; }
    // Users connected, as last reported by the server thread.
    int users() const { return m_users.load(); }

signals:
    void started(quint16 tcpPort, quint16 httpPort);
    void failed(const QString &error);
    void usersChanged(int users);
    void stopped();

private:
    QThread m_thread;
    std::atomic<ChatServer *> m_server{nullptr}; // lives in m_thread
    quint16 m_tcpPort = 0;
    quint16 m_httpPort = 0;
    quint16 m_discoveryPort = 0;
    std::atomic<int> m_users{0};
};
