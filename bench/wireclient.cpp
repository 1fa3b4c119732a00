#include "wireclient.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

WireClient::WireClient(Transport transport, std::string host, std::string path)
    : m_transport(transport)
    , m_host(std::move(host))
    , m_path(std::move(path))
{
}

WireClient::~WireClient()
{
    close();
}

bool WireClient::connectTo(const std::string &address, uint16_t port)
{
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_port = htons(port);
    if (inet_pton(AF_INET, address.c_str(), &target.sin_addr) != 1)
        return false;
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0)
        return false;
    const int on = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (::connect(m_fd, reinterpret_cast<sockaddr *>(&target), sizeof target) != 0 && errno != EINPROGRESS) {
        close();
        return false;
    }
    m_connecting = true;
    if (m_transport == Transport::WebSocket) {
        // A fixed key is fine: the tool trusts the server it measures.
        m_out = "GET " + m_path + " HTTP/1.1\r\nHost: " + m_host +
                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: Y29uZmFiLWJlbmNoLWtleQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }
    return true;
}

void WireClient::send(std::string_view json)
{
    if (m_transport == Transport::Tcp) {
        m_out.append(json);
        m_out.push_back('\n');
        return;
    }
    // Client frames must be masked; a zero key leaves the payload as it is.
    const size_t length = json.size();
    m_out.push_back(char(0x81));
    if (length < 126) {
        m_out.push_back(char(0x80 | length));
    } else if (length < 65536) {
        m_out.push_back(char(0x80 | 126));
        m_out.push_back(char(length >> 8));
        m_out.push_back(char(length & 0xFF));
    } else {
        m_out.push_back(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            m_out.push_back(char((uint64_t(length) >> shift) & 0xFF));
    }
    m_out.append(4, '\0');
    m_out.append(json);
}

bool WireClient::flush()
{
    if (m_fd < 0)
        return false;
    if (m_connecting) {
        int error = 0;
        socklen_t size = sizeof error;
        ::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &error, &size);
        if (error != 0) {
            close();
            return false;
        }
        m_connecting = false;
        if (m_transport == Transport::Tcp)
            m_ready = true;
    }
    while (!m_out.empty()) {
        const ssize_t sent = ::send(m_fd, m_out.data(), m_out.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            m_out.erase(0, size_t(sent));
        } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return true;
        } else if (sent < 0 && errno == EINTR) {
            continue;
        } else {
            close();
            return false;
        }
    }
    return true;
}

bool WireClient::read(const std::function<void(std::string_view)> &onFrame)
{
    char buffer[65536];
    while (m_fd >= 0) {
        const ssize_t got = ::recv(m_fd, buffer, sizeof buffer, 0);
        if (got > 0) {
            m_in.append(buffer, size_t(got));
            continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (got < 0 && errno == EINTR)
            continue;
        close();
        break;
    }
    if (!m_ready && m_transport == Transport::WebSocket && !parseHandshake())
        return m_fd >= 0;
    parseFrames(onFrame);
    if (m_inStart > 0 && m_inStart == m_in.size()) {
        m_in.clear();
        m_inStart = 0;
    } else if (m_inStart > 65536) {
        m_in.erase(0, m_inStart);
        m_inStart = 0;
    }
    return m_fd >= 0;
}

bool WireClient::parseHandshake()
{
    const size_t end = m_in.find("\r\n\r\n");
    if (end == std::string::npos)
        return false;
    if (m_in.compare(0, 12, "HTTP/1.1 101") != 0) {
        close();
        return false;
    }
    m_inStart = end + 4;
    m_ready = true;
    return true;
}

void WireClient::parseFrames(const std::function<void(std::string_view)> &onFrame)
{
    const std::string_view data(m_in);
    if (m_transport == Transport::Tcp) {
        size_t newline;
        while ((newline = data.find('\n', m_inStart)) != std::string_view::npos) {
            onFrame(data.substr(m_inStart, newline - m_inStart));
            m_inStart = newline + 1;
        }
        return;
    }
    while (data.size() - m_inStart >= 2) {
        const auto *header = reinterpret_cast<const unsigned char *>(data.data() + m_inStart);
        const unsigned opcode = header[0] & 0x0F;
        uint64_t length = header[1] & 0x7F;
        size_t headerSize = 2;
        if (length == 126) {
            if (data.size() - m_inStart < 4)
                return;
            length = (uint64_t(header[2]) << 8) | header[3];
            headerSize = 4;
        } else if (length == 127) {
            if (data.size() - m_inStart < 10)
                return;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | header[2 + i];
            headerSize = 10;
        }
        if (data.size() - m_inStart < headerSize + length)
            return;
        if (opcode == 0x1)
            onFrame(data.substr(m_inStart + headerSize, size_t(length)));
        m_inStart += headerSize + size_t(length);
    }
}

void WireClient::close()
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    m_ready = false;
    m_connecting = false;
}
