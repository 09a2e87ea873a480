#!/usr/bin/perl
# Golden transcript normaliser: stdin -> stdout. Replaces the volatile parts
# of an ovmsh transcript with stable placeholders so that .out files can be
# compared byte for byte, and makes control bytes visible so that line
# endings are part of the comparison:
#   timestamps "YYYY-MM-DD HH:MM:SS,mmm ZONE"     -> <TIME>
#   32-hex object ids (+.img/.iso kept)          -> <IDn>   (n by first appearance)
#   dashed 8-4-4-4-12 forms of those ids         -> <IDn-dashed>
#   server ids (16 colon-separated hex bytes)    -> <SRVn>
#   created network ids 0004fb0010 + 5 hex       -> <NETn>
#   13-digit job/event ids                       -> <MSn>
#   runs of 64+ identical characters             -> <REPEAT 'c' xN>
#   CRLF -> "^M" + LF; lone CR -> "^M\" + LF; other control bytes -> ^X;
#   bytes that are not valid UTF-8 -> \xHH
use strict;
use warnings;

local $/;
my $text = <STDIN>;
$text = '' unless defined $text;

my %map;
my %count;
sub ph {
    my ($kind, $val) = @_;
    $map{$kind}{$val} //= ++$count{$kind};
    return "<$kind$map{$kind}{$val}>";
}

my $ts = qr/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?:[A-Z][A-Za-z]*(?:[+-]\d\d:\d\d)?|[+-]\d{2,4})/;
$text =~ s/$ts/<TIME>/g;
$text =~ s/(?<![0-9a-fA-F])(?<![0-9a-fA-F]{2}:)((?:[0-9a-f]{2}:){15}[0-9a-f]{2})(?![0-9a-fA-F])(?!:[0-9a-fA-F]{2})/ph('SRV', $1)/ge;
$text =~ s/(?<![0-9a-f-])([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})(?![0-9a-f-])/
    substr(ph('ID', "$1$2$3$4$5"), 0, -1) . '-dashed>'/ge;
$text =~ s/(?<![0-9a-f])([0-9a-f]{32})(?![0-9a-f])/ph('ID', $1)/ge;
$text =~ s/(?<![0-9a-f])(0004fb0010[0-9a-f]{5})(?![0-9a-f])/ph('NET', $1)/ge;
$text =~ s/(?<![0-9])([0-9]{13})(?![0-9])/ph('MS', $1)/ge;
$text = collapse_runs($text);

# Visible control bytes and invalid UTF-8.
my $out = '';
while ($text =~ /\G(?:(\r\n)|(\r)|([\x00-\x08\x0b\x0c\x0e-\x1f\x7f])|([\x00-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2})|(.))/gs) {
    if (defined $1) { $out .= "^M\n" }
    elsif (defined $2) { $out .= "^M\\\n" }
    elsif (defined $3) { $out .= '^' . chr(ord($3) ^ 0x40) }
    elsif (defined $4) { $out .= $4 }
    else { $out .= sprintf('\\x%02x', ord($5)) }
}
print $out;

# collapse_runs TEXT: TEXT with every run of 64 or more identical characters
# replaced by <REPEAT 'c' xN>. A scan, because a regex backreference with an
# open count hits perl's recursion limit on megabyte runs.
sub collapse_runs {
    my ($t) = @_;
    my ($res, $i, $n) = ('', 0, length $t);
    while ($i < $n) {
        my $c = substr($t, $i, 1);
        my $j = $i + 1;
        $j++ while $j < $n && substr($t, $j, 1) eq $c;
        my $len = $j - $i;
        $res .= $len >= 64 ? "<REPEAT '$c' x$len>" : $c x $len;
        $i = $j;
    }
    return $res;
}
