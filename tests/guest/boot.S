/* A 512-byte boot sector "guest" for the libvirt end-to-end tests: prints
 * "BOOT OK" on COM1, then "tick N" about once a second, sleeping in hlt in
 * between, so a test can see it boot and keep running across a migration.
 * Before "BOOT OK" it fills half of its memory above 1 MiB (as INT 15h
 * E801 reports it) with a non-zero pattern through an unreal-mode segment:
 * QEMU sends untouched (zero) pages almost for free, so without the fill a
 * migration ends in a fraction of a second even at 1 MiB/s, and a test
 * cannot reliably act while one is under way.
 * Assembled at test time (tests/lib/libvirt.sh, lv_boot_image): no binary
 * is committed. */
.code16
.globl _start
_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x7c00, %sp
    sti
    mov $0x3f9, %dx ; xor %al, %al   ; out %al, %dx   /* IER = 0 */
    mov $0x3fb, %dx ; mov $0x80, %al ; out %al, %dx   /* DLAB */
    mov $0x3f8, %dx ; mov $1, %al    ; out %al, %dx   /* 115200 */
    mov $0x3f9, %dx ; xor %al, %al   ; out %al, %dx
    mov $0x3fb, %dx ; mov $3, %al    ; out %al, %dx   /* 8N1 */
    call fill
    mov $msg, %si
    call puts
    xor %bx, %bx
1:  mov 0x46c, %cx          /* BIOS tick counter (18.2 Hz) */
2:  hlt
    mov 0x46c, %ax
    sub %cx, %ax
    cmp $18, %ax
    jb 2b
    inc %bx
    mov $tick, %si
    call puts
    mov %bx, %ax
    call putdec
    mov $crlf, %si
    call puts
    jmp 1b
fill:                       /* half of the memory above 1 MiB := 0xa5 */
    mov $0xe801, %ax
    int $0x15
    jc 6f
    movzwl %ax, %ecx        /* KiB from 1 to 16 MiB: /2 /4 = *128 dwords */
    shl $7, %ecx
    movzwl %bx, %eax        /* 64 KiB blocks above 16 MiB: *8192 dwords */
    shl $13, %eax
    add %eax, %ecx
    in $0x92, %al           /* A20 on (fast gate) */
    or $2, %al
    and $0xfe, %al
    out %al, $0x92
    cli
    lgdt gdtr
    mov %cr0, %eax          /* protected mode only to load a 4 GiB limit */
    or $1, %al
    mov %eax, %cr0
    mov $8, %dx
    mov %dx, %es
    and $0xfe, %al
    mov %eax, %cr0
    xor %dx, %dx
    mov %dx, %es            /* base 0 again, the 4 GiB limit stays */
    sti
    mov $0x100000, %edi
    mov $0xa5a5a5a5, %eax
    cld
    addr32 rep stosl
6:  ret
putc:                       /* al -> COM1 */
    push %dx
    push %ax
    mov $0x3fd, %dx
3:  in %dx, %al
    test $0x20, %al
    jz 3b
    pop %ax
    mov $0x3f8, %dx
    out %al, %dx
    pop %dx
    ret
puts:                       /* ds:si, NUL-terminated */
    lodsb
    test %al, %al
    jz 4f
    call putc
    jmp puts
4:  ret
putdec:                     /* ax, unsigned */
    xor %dx, %dx
    mov $10, %cx
    div %cx
    push %dx
    test %ax, %ax
    jz 5f
    call putdec
5:  pop %ax
    add $'0', %al
    call putc
    ret
gdt:  .quad 0
      .quad 0x00cf92000000ffff  /* data, base 0, limit 4 GiB */
gdtr: .word 15
      .long gdt
msg:  .asciz "BOOT OK\r\n"
tick: .asciz "tick "
crlf: .asciz "\r\n"
.org 510
.byte 0x55, 0xaa
