#include "httprequest.h"

#include <algorithm>

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
    // The head ends at the first empty line. Lines end in CRLF, or in a
    // bare LF as many HTTP servers accept (RFC 9112, 2.2).
    qsizetype end = -1;
    qsizetype terminator = 0;
    for (qsizetype lf = data.indexOf('\n'); lf >= 0; lf = data.indexOf('\n', lf + 1)) {
        if (lf + 1 < data.size() && data[lf + 1] == '\n') {
            end = lf;
            terminator = 2;
            break;
        }
        if (lf + 2 < data.size() && data[lf + 1] == '\r' && data[lf + 2] == '\n') {
            end = lf;
            terminator = 3;
            break;
        }
    }
    if (end < 0)
        return data.size() > maxHeadBytes ? ParseResult::TooLarge : ParseResult::Incomplete;
    if (end + terminator > maxHeadBytes)
        return ParseResult::TooLarge;
    *headBytes = end + terminator;
    if (end > 0 && data[end - 1] == '\r')
        --end;

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
        const QByteArray name = line.first(colon).toLower();
        // Two Host headers leave it open which site was meant (RFC 9112, 3.2).
        if (name == "host" && std::any_of(request->headers.cbegin(), request->headers.cend(),
                                          [](const auto &header) { return header.first == "host"; })) {
            return ParseResult::Malformed;
        }
        request->headers.append({name, line.sliced(colon + 1).trimmed()});
    }
    return ParseResult::Complete;
}
