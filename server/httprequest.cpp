#include "httprequest.h"

namespace {

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
        if (!ok)
            return false;
    }
    return true;
}

} // namespace

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key == name)
            return value;
    }
    return {};
}

bool HttpRequest::headerHasToken(QByteArrayView name, QByteArrayView token) const
{
    for (const auto &[key, value] : headers) {
        if (key != name)
            continue;
        for (const QByteArray &part : value.split(',')) {
            if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
                return true;
        }
    }
    return false;
}

HttpRequest::ParseResult HttpRequest::parse(QByteArrayView data, qsizetype maxHeadBytes, HttpRequest *request,
                                            qsizetype *headBytes)
{
    const qsizetype end = data.indexOf("\r\n\r\n");
    if (end < 0)
        return data.size() > maxHeadBytes ? ParseResult::TooLarge : ParseResult::Incomplete;
    if (end + 4 > maxHeadBytes)
        return ParseResult::TooLarge;
    *headBytes = end + 4;

    const QList<QByteArray> lines = data.first(end).toByteArray().split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3 || !isToken(requestLine[0]) || !requestLine[1].startsWith('/')
        || !requestLine[2].startsWith("HTTP/1.")) {
        return ParseResult::Malformed;
    }
    request->method = requestLine[0];
    const QByteArray &target = requestLine[1];
    const qsizetype query = target.indexOf('?');
    request->path = query < 0 ? target : target.first(query);
    request->version = requestLine[2];

    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].endsWith('\r') ? lines[i].chopped(1) : lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(QByteArrayView(line).first(colon)))
            return ParseResult::Malformed;
        request->headers.append({line.first(colon).toLower(), line.sliced(colon + 1).trimmed()});
    }
    return ParseResult::Complete;
}
