#pragma once

#include "epolldispatcher.h"

class QObject;
class QSocketNotifier;

// Tells a DescriptorWatcher when its socket can be read or written,
// level-triggered.
//
// Under the server's own epoll dispatcher the dispatcher calls the watcher
// directly: nothing is allocated per socket. Under any other dispatcher (a
// server on a thread of the desktop client, or in a test) it falls back to
// a QSocketNotifier per direction, made when first needed.
class SocketWatch final
{
    Q_DISABLE_COPY_MOVE(SocketWatch)

public:
    // `context` parents the fallback's notifiers.
    SocketWatch(DescriptorWatcher *watcher, QObject *context);
    ~SocketWatch() { stop(); }

    // Starts watching `fd` for input.
    void start(int fd);
    void setReading(bool on);
    void setWriting(bool on);
    // Before the descriptor is closed.
    void stop();

private:
    void apply();
    QSocketNotifier *notifier(bool read);

    DescriptorWatcher *const m_watcher;
    QObject *const m_context;
    EpollEventDispatcher *m_dispatcher = nullptr;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    int m_fd = -1;
    bool m_reading = false;
    bool m_writing = false;
};
