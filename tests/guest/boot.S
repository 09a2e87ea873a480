/* A 512-byte boot sector "guest" for the libvirt end-to-end tests: prints
 * "BOOT OK" on COM1, then "tick N" about once a second, sleeping in hlt in
 * between, so a test can see it boot and keep running across a migration.
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
msg:  .asciz "BOOT OK\r\n"
tick: .asciz "tick "
crlf: .asciz "\r\n"
.org 510
.byte 0x55, 0xaa
