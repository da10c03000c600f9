#!/usr/bin/perl
# snmpd `pass_persist` script serving IF-MIB ifTable and ifXTable for the kpid tests.
# Counters move at known rates from t0: value = base + rate * (now - t0).
# Config: ifmib.conf next to this script; first line t0 (epoch seconds,
# fractional), then one interface per line, tab-separated:
#   index name descr alias ifSpeed ifHighSpeed admin oper inBps outBps inPps outPps inErrPs outErrPs base
# or a scalar counter (for `custom` OIDs such as a voice switch's call counters):
#   C oid type rate base
#
# "now" is the wall clock, unless the file agent-time next to this script
# holds an epoch time (seconds): then every value is the one for that instant.
# A test that pins it, and gives the collector the same clock, knows exactly
# what each counter read, however long snmpd takes to assemble a reply.
#
# snmpd calls this script once per row of a GETBULK, so each call must be
# cheap: the config is parsed and the OIDs sorted only when the file changes,
# and a call computes the one value it answers with.
use strict;
use warnings;
use Time::HiRes qw(time);
use File::Basename qw(dirname);

my $DIR = dirname($0);
my ($conf_text, $t0, %oids, @sorted) = ('', 0);

sub slurp {
  open(my $fh, '<', $_[0]) or return undef;
  local $/;
  my $text = <$fh>;
  close $fh;
  return $text;
}

sub cmp_oid {
  my @a = split /\./, $_[0];
  my @b = split /\./, $_[1];
  for (my $k = 0; $k < @a && $k < @b; $k++) { return $a[$k] <=> $b[$k] if $a[$k] != $b[$k]; }
  return @a <=> @b;
}

# Each OID maps to [type, value] for fixed values, or [type, rate, base, wraps32] for counters.
sub load {
  my $text = slurp("$DIR/ifmib.conf");
  return if !defined $text || $text eq $conf_text;
  $conf_text = $text;
  %oids = ();
  my @lines = split /\n/, $text;
  $t0 = shift @lines;
  for my $line (@lines) {
    next unless length $line;
    if ($line =~ /^C\t/) {
      my (undef, $oid, $type, $rate, $base) = split /\t/, $line;
      $oids{$oid} = [$type, $rate, $base, $type eq 'counter'];
      next;
    }
    my ($i, $name, $descr, $alias, $speed, $high, $admin, $oper, $inB, $outB, $inP, $outP, $inE, $outE, $base) = split /\t/, $line;
    my $T = '1.3.6.1.2.1.2.2.1';
    my $X = '1.3.6.1.2.1.31.1.1.1';
    my %fixed = (
      "$T.1.$i" => ['integer', $i], "$T.2.$i" => ['string', $descr], "$T.5.$i" => ['gauge', $speed],
      "$T.7.$i" => ['integer', $admin], "$T.8.$i" => ['integer', $oper],
      "$X.1.$i" => ['string', $name], "$X.15.$i" => ['gauge', $high], "$X.18.$i" => ['string', $alias],
    );
    # Multicast, broadcast and discards stay at 0.
    $fixed{"$T.$_.$i"} = ['counter', 0] for (12, 13, 18, 19);
    $fixed{"$X.$_.$i"} = ['counter64', 0] for (8, 9, 12, 13);
    my %c32 = (10 => $inB, 11 => $inP, 14 => $inE, 16 => $outB, 17 => $outP, 20 => $outE);
    my %c64 = (6 => $inB, 7 => $inP, 10 => $outB, 11 => $outP);
    $oids{$_} = $fixed{$_} for keys %fixed;
    $oids{"$T.$_.$i"} = ['counter', $c32{$_}, $base, 1] for keys %c32;
    $oids{"$X.$_.$i"} = ['counter64', $c64{$_}, $base, 0] for keys %c64;
  }
  @sorted = sort { cmp_oid($a, $b) } keys %oids;
}

sub agent_now {
  my $pinned = slurp("$DIR/agent-time");
  return defined $pinned && $pinned =~ /\d/ ? $pinned + 0 : time();
}

sub value_of {
  my $o = $oids{$_[0]};
  return $o->[1] if @$o == 2;
  my ($type, $rate, $base, $wraps32) = @$o;
  my $v = $base + int($rate * (agent_now() - $t0));
  return $wraps32 ? $v % 4294967296 : $v;
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
  load();
  my $hit;
  if ($cmd eq 'get') {
    $hit = $req if exists $oids{$req};
  } elsif ($cmd eq 'getnext') {
    for my $o (@sorted) { if (cmp_oid($o, $req) > 0) { $hit = $o; last; } }
  }
  if (defined $hit) { print ".$hit\n$oids{$hit}[0]\n" . value_of($hit) . "\n"; } else { print "NONE\n"; }
}
