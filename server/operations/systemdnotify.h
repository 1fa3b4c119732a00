#pragma once

#include <QByteArray>

// Tells systemd how the service is doing, for units with Type=notify
// (sd_notify(3)'s protocol: one datagram of "KEY=value" lines to the unix
// socket named in $NOTIFY_SOCKET). Without that variable it does nothing,
// so the server runs the same outside systemd.
namespace SystemdNotify {

// False when there is nobody to tell or the datagram could not be sent.
bool send(const QByteArray &state);

inline bool ready(const QByteArray &status)
{
    return send("READY=1\nSTATUS=" + status);
}
inline bool reloading()
{
    return send("RELOADING=1");
}
inline bool stopping()
{
    return send("STOPPING=1");
}

} // namespace SystemdNotify
