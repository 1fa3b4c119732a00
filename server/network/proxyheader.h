#pragma once

#include <QByteArrayView>
#include <QHostAddress>
#include <QString>

#include <optional>

// The PROXY protocol header a load balancer (HAProxy, nginx stream, AWS NLB)
// puts before the client's bytes, saying whose connection it is: version 1
// (a text line) and version 2 (binary). See
// https://www.haproxy.org/download/2.8/doc/proxy-protocol.txt
struct ProxyHeader
{
    enum class Status { Incomplete, Invalid, Complete };

    Status status = Status::Incomplete;
    // Bytes the header takes, to be consumed before the client's own.
    qsizetype length = 0;
    // The client, when the header names one. A LOCAL (v2) or UNKNOWN (v1)
    // header names none: the connection is the proxy's own (a health check).
    std::optional<QHostAddress> source;
    quint16 sourcePort = 0;
    QString error; // for Invalid

    // The most a header may take: v1 is at most 107 bytes; v2 is 16 bytes
    // and its addresses and TLVs, which we bound.
    static constexpr qsizetype MaxLength = 16 + 2048;

    static ProxyHeader parse(QByteArrayView bytes);
    // Whether `bytes` (the first a client sent) are, or begin, a header.
    static bool looksLikeHeader(QByteArrayView bytes);
};
