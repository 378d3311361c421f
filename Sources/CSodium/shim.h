// libsodium for Swift (X25519, Ed25519, Ed25519 point arithmetic for key blinding).
#ifndef ONIONCTL_CSODIUM_SHIM_H
#define ONIONCTL_CSODIUM_SHIM_H
#include <sodium.h>
#endif
