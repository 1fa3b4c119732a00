#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

// One non-blocking client connection of the load tool, speaking the Confab
// protocol over TCP (JSON lines) or WebSocket (one text frame per message).
// It only moves frames; the workloads decide what to send and what a frame
// means.
class WireClient
{
public:
    enum class Transport { Tcp, WebSocket };

    WireClient(Transport transport, std::string host, std::string path);
    ~WireClient();
    WireClient(const WireClient &) = delete;
    WireClient &operator=(const WireClient &) = delete;

    // Starts a non-blocking connect; returns false on immediate failure.
    bool connectTo(const std::string &address, uint16_t port);
    int fd() const { return m_fd; }
    bool isReady() const { return m_ready; }
    bool isOpen() const { return m_fd >= 0; }
    bool wantsWrite() const { return !m_out.empty() || m_connecting; }

    // Queues one JSON message (no line break); written by flush().
    void send(std::string_view json);
    // Call when the socket is writable / readable. onFrame gets every
    // complete JSON frame. Both return false once the connection is gone.
    bool flush();
    bool read(const std::function<void(std::string_view)> &onFrame);
    void close();

private:
    bool parseHandshake();
    void parseFrames(const std::function<void(std::string_view)> &onFrame);

    Transport m_transport;
    std::string m_host;
    std::string m_path;
    int m_fd = -1;
    bool m_connecting = false;
    bool m_ready = false; // connected, and for WebSocket, upgraded
    std::string m_out;
    std::string m_in;
    size_t m_inStart = 0;
};
