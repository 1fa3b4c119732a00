#pragma once

#include "serveraddress.h"

#include <QByteArray>
#include <QObject>
#include <QSet>

class FrameLog;

// What the client core needs from a connection: open one to an address,
// send and receive frames (JSON text, no line break), close it. The real one
// is ChatConnection (TCP, TLS, WebSocket); the core's unit tests plug in a
// scripted server here, so that reconnects, catch-up and scroll-back are
// tested in-process, frame by frame, without sockets or waiting.
class FrameTransport : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FrameTransport)

public:
    using QObject::QObject;

    virtual void open(const ServerAddress &address) = 0;
    virtual void close() = 0;
    virtual bool isOpen() const = 0;
    virtual void send(const QByteArray &frame) = 0;

    // Transports without certificates or a wire to inspect ignore these.
    virtual void setTrustedFingerprints(const QSet<QString> &fingerprints) { Q_UNUSED(fingerprints) }
    virtual void setInspector(FrameLog *inspector) { Q_UNUSED(inspector) }

signals:
    void opened();
    // After opened() or a failed open(); `reason` is for people.
    void closed(const QString &reason);
    void frameReceived(const QByteArray &frame);
    // Instead of closed(): the server's certificate needs the user's word.
    void untrustedCertificate(const QString &fingerprint, const QString &subject, const QString &problem);
};
