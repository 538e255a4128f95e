# ksyms.awk — turns `nm -n --defined-only phantom.elf` into the assembly of the .ksyms section:
# the kernel's code symbols sorted by address, for symbolic stack traces (panic.c).
# Empty input gives an empty table (the first of the two links).
$2 ~ /^[tTwW]$/ && $3 !~ /^\./ { addr[n] = $1; name[n] = $3; n++ }
END {
  print "  .section .ksyms, \"a\""
  print "  .align 4"
  print "  .global ksyms_count, ksyms_table, ksyms_names"
  print "ksyms_count:"
  print "  .long " n + 0
  print "ksyms_table:"
  offset = 0
  for (i = 0; i < n; i++) {
    print "  .long 0x" addr[i] ", " offset
    offset += length(name[i]) + 1
  }
  print "ksyms_names:"
  for (i = 0; i < n; i++) print "  .asciz \"" name[i] "\""
}
