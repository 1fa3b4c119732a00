#include "socketwatch.h"

#include <QSocketNotifier>

struct SocketWatch::Fallback
{
    QObject *context;
    QSocketNotifier *read = nullptr;
    QSocketNotifier *write = nullptr;
};

SocketWatch::SocketWatch(DescriptorWatcher *watcher)
    : m_watcher(watcher)
{
}

SocketWatch::~SocketWatch()
{
    stop();
}

void SocketWatch::start(int fd, QObject *context)
{
    m_fd = fd;
    m_dispatcher = EpollEventDispatcher::ofThisThread();
    if (!m_dispatcher)
        m_fallback = std::make_unique<Fallback>(Fallback{context});
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
    if (m_fallback) {
        delete m_fallback->read;
        delete m_fallback->write;
        m_fallback.reset();
    }
    m_fd = -1;
}

void SocketWatch::apply()
{
    if (m_dispatcher) {
        m_dispatcher->watchDescriptor(m_fd, m_watcher, m_reading, m_writing);
        return;
    }
    if (m_reading || m_fallback->read)
        notifier(true)->setEnabled(m_reading);
    if (m_writing || m_fallback->write)
        notifier(false)->setEnabled(m_writing);
}

QSocketNotifier *SocketWatch::notifier(bool read)
{
    QSocketNotifier *&notifier = read ? m_fallback->read : m_fallback->write;
    if (!notifier) {
        QObject *context = m_fallback->context;
        notifier = new QSocketNotifier(m_fd, read ? QSocketNotifier::Read : QSocketNotifier::Write, context);
        DescriptorWatcher *watcher = m_watcher;
        if (read)
            QObject::connect(notifier, &QSocketNotifier::activated, context, [watcher] { watcher->descriptorReadable(); });
        else
            QObject::connect(notifier, &QSocketNotifier::activated, context, [watcher] { watcher->descriptorWritable(); });
    }
    return notifier;
}
