/*
 * spec_ignore.h — empty definitions of every X-macro of the .def files in lang/spec, so that a file can
 * include a .def with only the rows it cares about defined:
 *
 *   #include "spec_ignore.h"
 *   #undef ERROR
 *   #define ERROR(name, code, message, doc) [name] = message,
 *   #include "../../lang/spec/layout.def"
 *   #include "spec_ignore_end.h"
 */
#define OP(...)
#define NATIVE(...)
#define FORMAT(...)
#define HEADER(...)
#define SPACE(...)
#define KIND(...)
#define FLAG(...)
#define CLASS(...)
#define FIELD(...)
#define CONST(...)
#define ERROR(...)
#define STORE(...)
#define SB(...)
#define IX(...)
#define IXE(...)
#define GEN(...)
#define GME(...)
#define PME(...)
