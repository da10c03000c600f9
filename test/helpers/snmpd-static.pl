#!/usr/bin/perl
# snmpd `pass` script: serves the OIDs listed in static.tsv next to it
# (OID<TAB>type<TAB>value per line), for GET (-g) and GETNEXT (-n).
# snmpd caches a pass answer for about a second; tests wait past that.
use strict;
use warnings;
use File::Basename qw(dirname);
my ($op, $req) = @ARGV;
exit 0 unless defined $req;
open(my $fh, '<', dirname($0) . '/static.tsv') or exit 0;
my @rows;
while (<$fh>) {
  chomp;
  next unless length;
  my ($oid, $type, $value) = split /\t/, $_, 3;
  push @rows, [$oid, $type, $value];
}
sub cmp_oid {
  my @a = split /\./, substr($_[0], 1);
  my @b = split /\./, substr($_[1], 1);
  for (my $i = 0; $i < @a && $i < @b; $i++) {
    return $a[$i] <=> $b[$i] if $a[$i] != $b[$i];
  }
  return @a <=> @b;
}
@rows = sort { cmp_oid($a->[0], $b->[0]) } @rows;
for my $r (@rows) {
  if (($op eq '-g' && cmp_oid($r->[0], $req) == 0) || ($op eq '-n' && cmp_oid($r->[0], $req) > 0)) {
    print "$r->[0]\n$r->[1]\n$r->[2]\n";
    exit 0;
  }
}
print "NONE\n";
