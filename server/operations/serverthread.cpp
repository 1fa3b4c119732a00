#include "serverthread.h"

#include "chatserver.h"

#include <QTimer>

namespace {

// How often the server thread reports how many are connected.
constexpr int UsersReportMs = 1000;
constexpr int ShutdownTimeoutMs = 5000;

} // namespace

ServerThread::ServerThread(QObject *parent)
    : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("confab-server"));
}

ServerThread::~ServerThread()
{
    if (m_thread.isRunning()) {
        stop();
        m_thread.wait(10'000);
    }
}

void ServerThread::start(const ServerConfig &config)
{
    if (m_thread.isRunning())
        return;
    m_thread.start();
    // Everything of the server is made, used and destroyed on its thread.
    auto *context = new QObject;
    context->moveToThread(&m_thread);
    QMetaObject::invokeMethod(context, [this, config, context] {
        auto *server = new ChatServer(config);
        QString error;
        if (!server->start(&error)) {
            delete server;
            context->deleteLater();
            QThread::currentThread()->quit();
            QMetaObject::invokeMethod(this, [this, error] {
                m_thread.wait();
                emit failed(error);
            }, Qt::QueuedConnection);
            return;
        }
        QObject::connect(&m_thread, &QThread::finished, server, &QObject::deleteLater);
        m_server = server;
        const quint16 tcp = server->tcpPort();
        const quint16 http = server->httpPort();
        const quint16 discovery = server->discoveryPort();
        auto *report = new QTimer(server);
        report->setInterval(UsersReportMs);
        QObject::connect(report, &QTimer::timeout, server, [this, server] {
            const int users = server->userCount();
            if (m_users.exchange(users) != users)
                QMetaObject::invokeMethod(this, [this, users] { emit usersChanged(users); }, Qt::QueuedConnection);
        });
        report->start();
        QObject::connect(server, &ChatServer::stopped, server, [this, context] {
            context->deleteLater();
            m_server = nullptr;
            // The thread ends here; whoever waits for it (the destructor)
            // is not needed for that.
            QThread::currentThread()->quit();
            QMetaObject::invokeMethod(this, [this] {
                m_thread.wait();
                emit stopped();
            }, Qt::QueuedConnection);
        });
        QMetaObject::invokeMethod(this, [this, tcp, http, discovery] {
            m_tcpPort = tcp;
            m_httpPort = http;
            m_discoveryPort = discovery;
            emit started(tcp, http);
        }, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
}

void ServerThread::stop()
{
    if (!m_thread.isRunning())
        return;
    ChatServer *server = m_server.load();
    if (!server) {
        m_thread.quit();
        return;
    }
    QMetaObject::invokeMethod(server, [server] {
        server->stop(QStringLiteral("the host closed the server"));
        // A client that never lets go does not keep the thread alive.
        QTimer::singleShot(ShutdownTimeoutMs, server, [] { QThread::currentThread()->quit(); });
    }, Qt::QueuedConnection);
}
