#pragma once

#include "epolldispatcher.h"

#include <memory>

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
    explicit SocketWatch(DescriptorWatcher *watcher);
    ~SocketWatch();

    // Starts watching `fd` for input. `context` parents the fallback's
    // notifiers.
    void start(int fd, QObject *context);
    void setReading(bool on);
    void setWriting(bool on);
    // Before the descriptor is closed.
    void stop();

private:
    struct Fallback;

    void apply();
    QSocketNotifier *notifier(bool read);

    DescriptorWatcher *const m_watcher;
    EpollEventDispatcher *m_dispatcher = nullptr;
    std::unique_ptr<Fallback> m_fallback;
    int m_fd = -1;
    bool m_reading = false;
    bool m_writing = false;
};
