#include "socketwatch.h"

#include <QSocketNotifier>

SocketWatch::SocketWatch(DescriptorWatcher *watcher, QObject *context)
    : m_watcher(watcher)
    , m_context(context)
{
}

void SocketWatch::start(int fd)
{
    m_fd = fd;
    m_dispatcher = EpollEventDispatcher::ofThisThread();
    m_reading = true;
    apply();
}

void SocketWatch::setReading(bool on)
{
    if (m_fd < 0 || on == m_reading)
        return;
    m_reading = on;
    apply();
}

void SocketWatch::setWriting(bool on)
{
    if (m_fd < 0 || on == m_writing)
        return;
    m_writing = on;
    apply();
}

void SocketWatch::stop()
{
    if (m_fd < 0)
        return;
    m_reading = m_writing = false;
    apply();
    delete m_readNotifier;
    m_readNotifier = nullptr;
    delete m_writeNotifier;
    m_writeNotifier = nullptr;
    m_fd = -1;
}

void SocketWatch::apply()
{
    if (m_dispatcher) {
        m_dispatcher->watchDescriptor(m_fd, m_watcher, m_reading, m_writing);
        return;
    }
    if (m_reading || m_readNotifier)
        notifier(true)->setEnabled(m_reading);
    if (m_writing || m_writeNotifier)
        notifier(false)->setEnabled(m_writing);
}

QSocketNotifier *SocketWatch::notifier(bool read)
{
    QSocketNotifier *&notifier = read ? m_readNotifier : m_writeNotifier;
    if (!notifier) {
        notifier = new QSocketNotifier(m_fd, read ? QSocketNotifier::Read : QSocketNotifier::Write, m_context);
        DescriptorWatcher *watcher = m_watcher;
        if (read)
            QObject::connect(notifier, &QSocketNotifier::activated, m_context, [watcher] { watcher->descriptorReadable(); });
        else
            QObject::connect(notifier, &QSocketNotifier::activated, m_context, [watcher] { watcher->descriptorWritable(); });
    }
    return notifier;
}
