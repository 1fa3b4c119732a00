#pragma once

#include "frametransport.h"
#include "lineframer.h"

#include <QSslCertificate>
#include <QSslError>

class QSslSocket;
class QWebSocket;

// The client's transport: one connection to a server over TCP, TLS, ws:// or
// wss://, carrying frames (JSON text, no line break). Knows nothing of what
// the frames mean.
//
// TLS certificates that the system does not trust (self-signed ones, as on
// most LAN servers) are accepted only if their SHA-256 fingerprint was
// trusted before; otherwise the connection is dropped and, instead of
// closed(), untrustedCertificate() says which fingerprint to ask about.
class ChatConnection final : public FrameTransport
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatConnection)

public:
    explicit ChatConnection(QObject *parent = nullptr);
    ~ChatConnection() override;

    void open(const ServerAddress &address) override;
    void close() override;
    bool isOpen() const override { return m_open; }
    void send(const QByteArray &frame) override;

    // Fingerprints as lower-case hex of the SHA-256 of the certificate (DER).
    void setTrustedFingerprints(const QSet<QString> &fingerprints) override { m_trusted = fingerprints; }
    static QString formatFingerprint(const QString &hex); // "AB:CD:..."

    // The frame inspector: while set, every frame is recorded there as it
    // goes over the wire; null (the default) records nothing.
    void setInspector(FrameLog *inspector) override { m_inspector = inspector; }
    // "tcp", "tls", "ws" or "wss".
    QString transportName() const;

private:
    void setUpTcp();
    void setUpWebSocket();
    void handleSslErrors(const QList<QSslError> &errors, const QSslCertificate &certificate);
    void readTcp();
    void finish(const QString &reason);

    ServerAddress m_address;
    QSslSocket *m_tcp = nullptr;
    QWebSocket *m_ws = nullptr;
    Confab::Protocol::LineFramer m_framer;
    QSet<QString> m_trusted;
    QString m_failure;
    bool m_open = false;
    bool m_active = false;
    FrameLog *m_inspector = nullptr;
};
