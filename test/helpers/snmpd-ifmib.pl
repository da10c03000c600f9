#!/usr/bin/perl
# snmpd `pass_persist` script serving IF-MIB ifTable and ifXTable for the kpid tests.
# Counters move at known rates from t0: value = base + rate * (now - t0).
# Config: ifmib.conf next to this script; first line t0 (epoch seconds,
# fractional), then one interface per line, tab-separated:
#   index name descr alias ifSpeed ifHighSpeed admin oper inBps outBps inPps outPps inErrPs outErrPs base
# or a scalar counter (for `custom` OIDs such as a voice switch's call counters):
#   C oid type rate base
use strict;
use warnings;
use Time::HiRes qw(time);
use File::Basename qw(dirname);

sub values_now {
  my %vals;
  open(my $fh, '<', dirname($0) . '/ifmib.conf') or return %vals;
  my $t0 = <$fh>;
  chomp $t0;
  my $dt = time() - $t0;
  while (my $line = <$fh>) {
    chomp $line;
    next unless length $line;
    if ($line =~ /^C\t/) {
      my (undef, $oid, $type, $rate, $base) = split /\t/, $line;
      my $v = $base + int($rate * $dt);
      $v %= 4294967296 if $type eq 'counter';
      $vals{$oid} = [$type, $v];
      next;
    }
    my ($i, $name, $descr, $alias, $speed, $high, $admin, $oper, $inB, $outB, $inP, $outP, $inE, $outE, $base) = split /\t/, $line;
    my $c = sub { my ($rate) = @_; return $base + int($rate * $dt); };
    my $c32 = sub { my ($rate) = @_; return ($base + int($rate * $dt)) % 4294967296; };
    my $T = '1.3.6.1.2.1.2.2.1';
    my $X = '1.3.6.1.2.1.31.1.1.1';
    $vals{"$T.1.$i"} = ['integer', $i];
    $vals{"$T.2.$i"} = ['string', $descr];
    $vals{"$T.5.$i"} = ['gauge', $speed];
    $vals{"$T.7.$i"} = ['integer', $admin];
    $vals{"$T.8.$i"} = ['integer', $oper];
    $vals{"$T.10.$i"} = ['counter', $c32->($inB)];
    $vals{"$T.11.$i"} = ['counter', $c32->($inP)];
    $vals{"$T.12.$i"} = ['counter', 0];
    $vals{"$T.13.$i"} = ['counter', 0];
    $vals{"$T.14.$i"} = ['counter', $c32->($inE)];
    $vals{"$T.16.$i"} = ['counter', $c32->($outB)];
    $vals{"$T.17.$i"} = ['counter', $c32->($outP)];
    $vals{"$T.18.$i"} = ['counter', 0];
    $vals{"$T.19.$i"} = ['counter', 0];
    $vals{"$T.20.$i"} = ['counter', $c32->($outE)];
    $vals{"$X.1.$i"} = ['string', $name];
    $vals{"$X.6.$i"} = ['counter64', $c->($inB)];
    $vals{"$X.7.$i"} = ['counter64', $c->($inP)];
    $vals{"$X.8.$i"} = ['counter64', 0];
    $vals{"$X.9.$i"} = ['counter64', 0];
    $vals{"$X.10.$i"} = ['counter64', $c->($outB)];
    $vals{"$X.11.$i"} = ['counter64', $c->($outP)];
    $vals{"$X.12.$i"} = ['counter64', 0];
    $vals{"$X.13.$i"} = ['counter64', 0];
    $vals{"$X.15.$i"} = ['gauge', $high];
    $vals{"$X.18.$i"} = ['string', $alias];
  }
  close $fh;
  return %vals;
}

sub cmp_oid {
  my @a = split /\./, $_[0];
  my @b = split /\./, $_[1];
  for (my $k = 0; $k < @a && $k < @b; $k++) { return $a[$k] <=> $b[$k] if $a[$k] != $b[$k]; }
  return @a <=> @b;
}

# pass_persist protocol: PING/PONG, then `get` or `getnext` and an OID per request.
$| = 1;
while (my $cmd = <STDIN>) {
  chomp $cmd;
  if ($cmd eq 'PING') { print "PONG\n"; next; }
  my $req = <STDIN>;
  last unless defined $req;
  chomp $req;
  $req =~ s/^\.//;
  if ($cmd eq 'set') { <STDIN>; print "not-writable\n"; next; }
  my %vals = values_now();
  my $hit;
  if ($cmd eq 'get') {
    $hit = $req if exists $vals{$req};
  } elsif ($cmd eq 'getnext') {
    for my $o (sort { cmp_oid($a, $b) } keys %vals) { if (cmp_oid($o, $req) > 0) { $hit = $o; last; } }
  }
  if (defined $hit) { print ".$hit\n$vals{$hit}[0]\n$vals{$hit}[1]\n"; } else { print "NONE\n"; }
}
