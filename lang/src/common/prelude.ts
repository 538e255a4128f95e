/**
 * The prelude: the system classes every program sees, in the language itself. Their natives
 * match spec/natives.def (a test checks prelude, natives.def and generated.ts agree) and their
 * fields match the slots of spec/layout.def. The compiler gives each of these classes its
 * CID_* id, payload kind and the NATIVE id of each native method from the generated tables.
 */
import { PRELUDE_FILE_PREFIX } from './parser.js';

export interface PreludeFile {
  readonly file: string;
  readonly text: string;
}

const INTERNAL = `package .internal;

// Root of the class hierarchy: every class extends it, directly or not.
class object {
  native string className();
};

class class {
  var name : string;
  var superclass : .internal.class;
  var vtable : .internal.method[];
  var fieldCount : int;
  var fieldNames : string[];
  var kind : int;
  var internalId : int;
  var methods : .internal.method[];
  var element : any;
};

class method {
  var name : string;
  var owner : .internal.class;
  var code : .internal.code;
  var consts : any[];
  var argc : int;
  var locals : int;
  var maxStack : int;
  var nativeId : int;
  var flags : int;
  var handlers : int[];
  var lines : int[];
  var vindex : int;
};

class code {
};

// Immutable UTF-8 text; \`string\` names this class everywhere.
class string {
  native int length();
  native int charAt(var index : int);
  native string substring(var begin : int, var end : int);
  native int indexOf(var part : string);
  native boolean equals(var other : string);
  native int compareTo(var other : string);
  native int hash();
  native int toInt();
  static native string fromChar(var byte : int);
};

// Every array type T[] is a subclass of it; copy and resize take arrays of any type.
class array {
  static native void copy(var src : .internal.array, var srcPos : int, var dst : .internal.array, var dstPos : int, var count : int);
  static native .internal.array resize(var source : .internal.array, var length : int);
};

class thread {
  var frame : .internal.frame;
  var state : int;
  var wakeAt : int;
  var next : .internal.thread;
  var number : int;
  var error : any;
  var target : any;
  static native .internal.thread start(var target : any);
  static native .internal.thread current();
  static native void yield();
  native int id();
  native boolean isAlive();
};

class frame {
};

// The persistent name -> object map that replaces a file system.
class directory {
  var count : int;
  var names : string[];
  var values : any[];
  static native .internal.directory root();
  native any get(var name : string);
  native void put(var name : string, var value : any);
  native boolean remove(var name : string);
  native boolean has(var name : string);
  native int size();
  native string[] keys();
};

class root {
  var classes : .internal.class[];
  var directory : .internal.directory;
  var threads : .internal.thread;
  var nextThreadId : int;
  var clock : int;
  var current : .internal.thread;
  var programClasses : .internal.class[];
  var mainClass : .internal.class;
  var arrayClasses : .internal.class[];
};

// What the VM throws, and the class a program's own errors extend.
class error {
  var message : string;
  error(var message : string) {
    this.message = message;
  }
};

class time {
  static native int uptime();
  static native void sleep(var milliseconds : int);
};

class boot {
};
`;

const IO = `package .internal.io;

// The console (serial port 1).
class tty {
  static native void print(var text : string);
  static native void println(var text : string);
};
`;

export const PRELUDE_FILES: readonly PreludeFile[] = [
  { file: `${PRELUDE_FILE_PREFIX}/internal.ph`, text: INTERNAL },
  { file: `${PRELUDE_FILE_PREFIX}/internal.io.ph`, text: IO },
];
