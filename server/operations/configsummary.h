#pragma once

#include <QString>
#include <QStringList>

struct ServerConfig;

// What the log says about the configuration, so that an operator reads
// what the server understood rather than what they meant to write: the
// settings in effect at start-up, and what a reload changed. Secrets (the
// password, a password in the database URL) are never shown.
namespace ConfigSummary {

// One line: TLS, bind, operators, proxies, who may read /metrics and
// /status, discovery and require-account always (they decide who may do
// what), then every other setting that was given.
QString inEffect(const ServerConfig &config);

// The settings that differ between two configurations, each as
// "name: before → after" ("(default)" for one not given); a secret, or a
// value too long for a log line, as its name and "changed".
QStringList changes(const ServerConfig &before, const ServerConfig &after);

// A setting's value as the log may show it.
QString shown(const QString &name, const QString &value);

} // namespace ConfigSummary
