#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>

#include <optional>

// A parsed HTTP/1.x request head (request line and headers). The server
// reads no bodies.
struct HttpRequest
{
    QByteArray method;
    QByteArray path; // without the query string
    QByteArray version;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased

    QByteArray header(QByteArrayView name) const;
    // Whether a comma-separated header lists `token` (case-insensitive).
    bool headerHasToken(QByteArrayView name, QByteArrayView token) const;

    enum class ParseResult { Complete, Incomplete, Malformed, TooLarge };
    // Parses the head at the start of `data`; `*headBytes` receives its length.
    static ParseResult parse(QByteArrayView data, qsizetype maxHeadBytes, HttpRequest *request,
                             qsizetype *headBytes);
};
