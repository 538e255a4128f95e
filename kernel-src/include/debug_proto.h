/*
 * debug_proto.h — include/debug.def as C enumerators: frame layout, message and event types,
 * error codes. The TypeScript client (inspector/src/common/debug-protocol.ts) is checked against
 * the same .def by its tests, so the two sides cannot disagree on a number.
 */
#ifndef PHANTOM_DEBUG_PROTO_H
#define PHANTOM_DEBUG_PROTO_H

enum {
#define PROTO(name, value, doc) name = (value),
#define FRAME(name, offset, bytes, doc) name = (offset),
#define MSG(name, type, request, reply, doc) DBG_##name = (type),
#define EVENT(name, type, payload, doc) name = (type),
#define DERR(name, code, doc) name = (code),
#include "debug.def"
#undef PROTO
#undef FRAME
#undef MSG
#undef EVENT
#undef DERR
};

#endif
