#include "passwordhasher.h"

#include <crypt.h>

#include <cstring>
#include <memory>

namespace PasswordHasher {

namespace {

constexpr char YescryptPrefix[] = "$y$";

// What libcrypt hashes: the password's UTF-8, which must not contain NUL.
QByteArray secretBytes(const QString &password)
{
    QByteArray bytes = password.toUtf8();
    return bytes.contains('\0') ? QByteArray() : bytes;
}

QByteArray cryptWith(const QByteArray &secret, const char *setting)
{
    // crypt_data is 32 KiB: on the heap, one per call, for thread safety.
    auto data = std::make_unique<crypt_data>();
    std::memset(data.get(), 0, sizeof *data);
    const char *result = crypt_rn(secret.constData(), setting, data.get(), int(sizeof *data));
    // libxcrypt marks failure with a result starting with '*'.
    if (!result || result[0] == '*')
        return {};
    return QByteArray(result);
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

} // namespace

QByteArray hash(const QString &password)
{
    const QByteArray secret = secretBytes(password);
    if (secret.isEmpty())
        return {};
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    // Count 0: libxcrypt's default cost for yescrypt; the salt comes from
    // the system's random source.
    if (!crypt_gensalt_rn(YescryptPrefix, 0, nullptr, 0, setting, int(sizeof setting)))
        return {};
    return cryptWith(secret, setting);
}

bool verify(const QString &password, const QByteArray &storedHash)
{
    const QByteArray secret = secretBytes(password);
    if (secret.isEmpty() || !storedHash.startsWith(YescryptPrefix))
        return false;
    const QByteArray computed = cryptWith(secret, storedHash.constData());
    return !computed.isEmpty() && constantTimeEquals(computed, storedHash);
}

const QByteArray &decoy()
{
    static const QByteArray decoyHash = hash(QStringLiteral("no password is this one"));
    return decoyHash;
}

} // namespace PasswordHasher
