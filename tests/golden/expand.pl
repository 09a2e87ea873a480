#!/usr/bin/perl
# Golden input expander: NAME.in on stdin -> the bytes fed to ovmsh. Lets the
# committed .in files stay plain text while still sending hostile input:
#   "# raw: TEXT"             -> TEXT with \xHH, \t, \r, \n and \\ decoded
#   "# generate: SIZE PREFIX" -> PREFIX padded with 'a' to SIZE bytes
#                                (SIZE: bytes, or NKiB / NMiB)
# Every other line is passed through unchanged (ovmsh ignores "#" lines).
use strict;
use warnings;

binmode STDIN;
binmode STDOUT;
while (my $line = <STDIN>) {
    if ($line =~ /^# raw: (.*)$/) {
        my $t = $1;
        $t =~ s/\\(x([0-9a-fA-F]{2})|t|r|n|\\)/
            defined $2 ? chr(hex $2) : $1 eq 't' ? "\t" : $1 eq 'r' ? "\r" : $1 eq 'n' ? "\n" : '\\'/ge;
        print $t, "\n";
    } elsif ($line =~ /^# generate: (\d+)(KiB|MiB)? (.*)$/) {
        my $size = $1 * ($2 ? ($2 eq 'KiB' ? 1024 : 1048576) : 1);
        my $prefix = $3;
        my $pad = $size - length($prefix);
        print $prefix, 'a' x ($pad > 0 ? $pad : 0), "\n";
    } else {
        print $line;
    }
}
