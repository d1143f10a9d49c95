# Which open rules matter: exposure from network interfaces and route tables.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Ec2 = Start-TestEc2
    $open = { param($id) New-TestGroup $id -Rules @((New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh'), (New-TestRule tcp 22 22 '::/0' 'ssh6')) }
    Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{
        groups = @((& $open sg-0a01), (& $open sg-0a02), (& $open sg-0a03), (& $open sg-0a04), (& $open sg-0a05), (& $open sg-0a06))
        networkInterfaces = @(
            # sg-0a01 carries nothing.
            @{ networkInterfaceId = 'eni-private'; subnetId = 'subnet-private'; instanceId = 'i-private'; groups = @('sg-0a02') }
            @{ networkInterfaceId = 'eni-public'; subnetId = 'subnet-public'; instanceId = 'i-web'; publicIp = '198.51.100.10'; groups = @('sg-0a03') }
            @{ networkInterfaceId = 'eni-v6'; subnetId = 'subnet-public'; instanceId = 'i-v6'; ipv6Addresses = @('2001:db8::10'); groups = @('sg-0a04') }
            @{ networkInterfaceId = 'eni-alb'; subnetId = 'subnet-private'; interfaceType = 'interface'; description = 'ELB app/web/50dc6c495c0c9188'; publicIp = '198.51.100.20'; groups = @('sg-0a05') }
            # A group used by an interface of another VPC (security-group VPC associations).
            @{ networkInterfaceId = 'eni-other-vpc'; vpcId = 'vpc-2'; subnetId = 'subnet-2'; instanceId = 'i-other'; publicIp = '198.51.100.30'; groups = @('sg-0a06', 'sg-0a02') }
        )
        routeTables = @(
            @{ routeTableId = 'rtb-main'; main = $true; routes = @{ '0.0.0.0/0' = 'nat-0123'; '::/0' = 'eigw-0123' } }
            @{ routeTableId = 'rtb-public'; subnets = @('subnet-public'); routes = @{ '0.0.0.0/0' = 'igw-0123'; '::/0' = 'igw-0123' } }
            @{ routeTableId = 'rtb-vpc2'; vpcId = 'vpc-2'; main = $true; routes = @{ '0.0.0.0/0' = 'igw-0456' } }
        )
    } } }
    $script:Conn = @{ Region = 'us-east-1'; EndpointUrl = $script:Ec2.Url }
}
AfterAll { Stop-TestEc2 $script:Ec2 }

Describe 'Get-OpenIngressRule -IncludeExposure' {
    It 'says, per rule and address family, whether what carries the group is reachable from the internet, in a few calls' {
        Reset-TestCalls $script:Ec2
        $r = @(Get-OpenIngressRule @script:Conn -IncludeExposure)
        $exposure = @{}
        foreach ($x in $r) { $exposure["$($x.GroupId) $($x.Cidr)"] = "$($x.Exposure)" }
        $exposure['sg-0a01 0.0.0.0/0'] | Should -Be 'Unattached'
        $exposure['sg-0a02 0.0.0.0/0'] | Should -Be 'Public'      # via the other VPC's public interface
        $exposure['sg-0a02 ::/0'] | Should -Be 'Private'
        $exposure['sg-0a03 0.0.0.0/0'] | Should -Be 'Public'
        $exposure['sg-0a03 ::/0'] | Should -Be 'Private'           # no IPv6 address
        $exposure['sg-0a04 0.0.0.0/0'] | Should -Be 'Private'      # no public IPv4 address
        $exposure['sg-0a04 ::/0'] | Should -Be 'Public'
        $exposure['sg-0a05 0.0.0.0/0'] | Should -Be 'Public'       # internet-facing load balancer
        $exposure['sg-0a06 0.0.0.0/0'] | Should -Be 'Public'
        ($r | Where-Object GroupId -eq sg-0a02 | Select-Object -First 1).NetworkInterfaceCount | Should -Be 2
        ($r | Where-Object GroupId -eq sg-0a02 | Select-Object -First 1).AttachedTo | Should -Be @('i-other', 'i-private')
        ($r | Where-Object GroupId -eq sg-0a05 | Select-Object -First 1).AttachedTo | Should -Be @('elb:app/web/50dc6c495c0c9188')
        @(Get-TestCalls $script:Ec2 DescribeNetworkInterfaces).Count | Should -Be 1
        @(Get-TestCalls $script:Ec2 DescribeRouteTables).Count | Should -Be 1
        # Interfaces are looked up by group, not by the group's VPC.
        (Get-TestCalls $script:Ec2 DescribeNetworkInterfaces)[0].Parameters.'Filter.1.Name' | Should -Be 'group-id'
    }

    It '-Exposure filters' {
        $public = @(Get-OpenIngressRule @script:Conn -Exposure Public)
        $public | ForEach-Object { "$($_.Exposure)" | Should -Be 'Public' }
        $public.Count | Should -Be 6
        @(Get-OpenIngressRule @script:Conn -Exposure Unattached).GroupId | Sort-Object -Unique | Should -Be 'sg-0a01'
    }

    It 'without it, no exposure call is made' {
        Reset-TestCalls $script:Ec2
        $r = @(Get-OpenIngressRule @script:Conn)
        $r[0].Exposure | Should -BeNullOrEmpty
        @(Get-TestCalls $script:Ec2 DescribeNetworkInterfaces).Count | Should -Be 0
    }
}
